"""Spanish texts of the built-in exercises (see `library_es`), keyed by slug.

Neutral Latin American Spanish, "usted", written for TelePT from `builtin_library.py`;
lists are in the same order as the English (`instructions` are the English `steps`).
"""

from __future__ import annotations

from typing import Any

EXERCISES_ES: dict[str, dict[str, Any]] = {
    'chin-tuck':
    {'name': 'Retracción del mentón',
     'summary': 'Deslice la cabeza hacia atrás para activar los músculos profundos del cuello.',
     'instructions': ['Siéntese derecho, con la espalda apoyada en la silla y la mirada al '
                      'frente.',
                      'Lleve el mentón recto hacia atrás, como si hiciera papada.',
                      'Sostenga durante la cuenta, con la mirada en el horizonte.',
                      'Relájese y vuelva adelante a la posición inicial.'],
     'cues': ['Piense en "cabeza atrás", no en "cabeza abajo".',
              'Mantenga los hombros relajados.'],
     'mistakes': ['Bajar la cabeza en lugar de deslizarla hacia atrás.',
                  'Empujar tan fuerte que se aprieta la mandíbula.'],
     'substitutes': [{'item': 'Una pared',
                      'how': 'Párese de espaldas a una pared y deslice la parte de atrás de la '
                             'cabeza hacia ella.'}]},
    'neck-rotation':
    {'name': 'Rotación del cuello',
     'summary': 'Gire la cabeza de un lado a otro dentro de un rango cómodo.',
     'instructions': ['Siéntese derecho y mire al frente.',
                      'Gire la cabeza despacio para mirar por encima de un hombro, hasta donde '
                      'le resulte cómodo.',
                      'Vuelva al centro y luego gire hacia el otro lado.'],
     'cues': ['Muévase despacio y suelte el aire al girar.', 'Mantenga el mentón nivelado.'],
     'mistakes': ['Girar los hombros junto con la cabeza.',
                  'Forzar hasta sentir un dolor agudo.'],
     'substitutes': []},
    'neck-side-bend':
    {'name': 'Inclinación lateral del cuello',
     'summary': 'Incline la oreja hacia el hombro para aliviar la rigidez del costado del '
                'cuello.',
     'instructions': ['Siéntese derecho con ambos hombros relajados.',
                      'Incline una oreja hacia el hombro del mismo lado.',
                      'Vuelva al centro y repita hacia el otro lado.'],
     'cues': ['Lleve la oreja al hombro, no el hombro a la oreja.'],
     'mistakes': ['Girar la cara mientras se inclina.', 'Subir el hombro.'],
     'substitutes': []},
    'upper-trapezius-stretch':
    {'name': 'Estiramiento del trapecio superior',
     'summary': 'Un estiramiento suave a lo largo de la parte alta del hombro y el costado del '
                'cuello.',
     'instructions': ['Siéntese y sujete el borde del asiento con la mano derecha.',
                      'Incline la oreja izquierda hacia el hombro izquierdo.',
                      'Apoye suavemente la mano izquierda sobre la cabeza para estirar un poco '
                      'más.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['Deje que el hombro sujeto baje.', 'La mano se apoya; no tira.'],
     'mistakes': ['Tirar fuerte de la cabeza.',
                  'Dejar que el cuerpo se incline con el estiramiento.'],
     'substitutes': [{'item': 'Su propia mano',
                      'how': 'Sin silla, estire el brazo hacia abajo y por detrás de la '
                             'espalda para mantener ese hombro bajo.'}]},
    'levator-scapulae-stretch':
    {'name': 'Estiramiento del elevador de la escápula',
     'summary': 'Estire el músculo entre el cuello y el omóplato.',
     'instructions': ['Siéntese y sujete el borde del asiento con la mano derecha.',
                      'Gire la nariz hacia la axila izquierda.',
                      'Deje caer la cabeza suavemente hacia adelante y apoye la mano izquierda '
                      'en la nuca.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['Debe sentirlo en la parte de atrás del cuello, a la derecha.'],
     'mistakes': ['Encorvar toda la espalda.', 'Dar rebotes al estirar.'],
     'substitutes': []},
    'scapular-retraction':
    {'name': 'Apretar los omóplatos',
     'summary': 'Lleve los omóplatos hacia atrás y hacia abajo para mejorar la postura.',
     'instructions': ['Siéntese o párese derecho con los brazos relajados.',
                      'Lleve los omóplatos hacia atrás y un poco hacia abajo, hacia los '
                      'bolsillos traseros.',
                      'Sostenga y luego relaje.'],
     'cues': ['Mantenga el cuello largo.',
              'Imagine que sostiene un lápiz entre los omóplatos.'],
     'mistakes': ['Encoger los hombros hacia arriba.', 'Arquear la parte baja de la espalda.'],
     'substitutes': []},
    'deep-neck-flexor-head-lift':
    {'name': 'Sostén de los flexores profundos del cuello',
     'summary': 'Acostado, asienta con la cabeza y levántela un poco para ganar resistencia en '
                'el cuello.',
     'instructions': ['Acuéstese boca arriba con las rodillas dobladas y una toalla doblada '
                      'bajo la cabeza.',
                      'Asienta suavemente con el mentón, como si dijera "sí".',
                      'Sin perder ese gesto, levante la cabeza apenas de la toalla.',
                      'Sostenga, baje despacio y descanse.'],
     'cues': ['Mantenga el mentón recogido todo el tiempo.',
              'Deje de sostener si el mentón se adelanta.'],
     'mistakes': ['Adelantar el mentón.', 'Contener la respiración.'],
     'substitutes': [{'item': 'Una toalla doblada',
                      'how': 'Reemplaza una almohada delgada bajo la cabeza.'}]},
    'neck-isometrics':
    {'name': 'Isométricos de cuello',
     'summary': 'Empuje la cabeza suavemente contra la mano sin dejar que se mueva.',
     'instructions': ['Siéntese derecho. Apoye la palma de la mano en la frente.',
                      'Empuje la cabeza contra la mano con una cuarta parte de su fuerza; la '
                      'cabeza no se mueve.',
                      'Sostenga, relaje y repita con la mano en la nuca y a cada lado de la '
                      'cabeza.'],
     'cues': ['Esfuerzo suave: no más de una cuarta parte de su fuerza.'],
     'mistakes': ['Empujar tan fuerte que cause dolor.', 'Dejar que la cabeza se mueva.'],
     'substitutes': [{'item': 'Una pared',
                      'how': 'Presione la cabeza contra una toalla doblada apoyada en una '
                             'pared.'}]},
    'towel-neck-extension':
    {'name': 'Extensión del cuello con toalla',
     'summary': 'Una toalla detrás del cuello guía un movimiento suave para mirar hacia '
                'arriba.',
     'instructions': ['Siéntese derecho. Pase una toalla pequeña por detrás del cuello y '
                      'sujete ambos extremos hacia adelante.',
                      'Tire de los extremos suavemente hacia adelante y arriba para sostener '
                      'el cuello.',
                      'Recoja un poco el mentón y luego mire hacia el techo hasta donde le '
                      'resulte cómodo.',
                      'Vuelva a mirar al frente.'],
     'cues': ['La toalla sostiene; la cabeza hace el movimiento.'],
     'mistakes': ['Dejar caer la cabeza hacia atrás rápidamente.', 'Encoger los hombros.'],
     'substitutes': [{'item': 'Una toalla de cocina',
                      'how': 'Sirve cualquier toalla larga y delgada o una bufanda.'}]},
    'pendulum':
    {'name': 'Péndulo',
     'summary': 'Deje colgar el brazo y balancéelo en pequeños círculos para aliviar el dolor '
                'inicial del hombro.',
     'instructions': ['Inclínese hacia adelante con la mano sana apoyada en un mostrador o una '
                      'mesa.',
                      'Deje colgar el brazo adolorido hacia abajo, relajado.',
                      'Balancee el cuerpo suavemente para que el brazo se mueva hacia adelante '
                      'y atrás, luego de lado a lado y luego en pequeños círculos.'],
     'cues': ['El cuerpo mueve el brazo; los músculos del hombro se quedan relajados.'],
     'mistakes': ['Levantar el brazo con los músculos del hombro.',
                  'Pararse demasiado erguido.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'shoulder-flexion-active':
    {'name': 'Elevación del brazo hacia adelante',
     'summary': 'Levante el brazo hacia adelante y arriba, con el pulgar por delante. La '
                'cámara puede medirlo.',
     'instructions': ['Párese de lado a la cámara con el brazo junto al cuerpo y el pulgar '
                      'hacia adelante.',
                      'Levante el brazo hacia adelante y arriba, tan alto como le resulte '
                      'cómodo.',
                      'Bájelo despacio.'],
     'cues': ['Mantenga el codo estirado.',
              'Mantenga las costillas abajo: no se incline hacia atrás.'],
     'mistakes': ['Arquear la espalda para llegar más alto.', 'Encoger el hombro.'],
     'substitutes': []},
    'shoulder-abduction-active':
    {'name': 'Elevación del brazo hacia el costado',
     'summary': 'Levante el brazo hacia el costado, con el pulgar hacia arriba. La cámara '
                'puede medirlo.',
     'instructions': ['Párese de frente a la cámara con los brazos junto al cuerpo y los '
                      'pulgares hacia adelante.',
                      'Levante un brazo hacia el costado y hacia arriba, tan alto como le '
                      'resulte cómodo.',
                      'Bájelo despacio.'],
     'cues': ['Gire el pulgar hacia el techo cuando el brazo pase la altura del hombro.'],
     'mistakes': ['Inclinar el tronco hacia el otro lado.', 'Subir el hombro.'],
     'substitutes': []},
    'wand-flexion':
    {'name': 'Elevación asistida del brazo con un palo',
     'summary': 'Acostado, el brazo sano ayuda a llevar el brazo adolorido por encima de la '
                'cabeza con un palo.',
     'instructions': ['Acuéstese boca arriba sujetando el palo de una escoba con ambas manos, '
                      'separadas al ancho de los hombros.',
                      'Use el brazo sano para subir el palo y llevarlo por encima de la '
                      'cabeza.',
                      'Llegue hasta donde le resulte cómodo y luego baje despacio.'],
     'cues': ['El brazo sano hace el trabajo.', 'Si puede, mantenga los codos estirados.'],
     'mistakes': ['Despegar la espalda de la cama al arquearla.', 'Bajar con prisa.'],
     'substitutes': [{'item': 'Una escoba o un bastón',
                      'how': 'Sirve cualquier palo recto y liviano; también una toalla '
                             'enrollada sujeta por ambos extremos.'}]},
    'wall-walk':
    {'name': 'Caminar con los dedos por la pared',
     'summary': 'Suba con los dedos por la pared para recuperar el alcance por encima de la '
                'cabeza.',
     'instructions': ['Párese frente a una pared, a la distancia de un brazo.',
                      'Apoye las puntas de los dedos en la pared a la altura de la cintura.',
                      'Suba los dedos por la pared, tan alto como le resulte cómodo.',
                      'Bájelos de nuevo.'],
     'cues': ['Acérquese un paso a medida que mejore.',
              'Mantenga los hombros lejos de las orejas.'],
     'mistakes': ['Subir el hombro.', 'Apoyar la cadera en la pared.'],
     'substitutes': [{'item': 'Una puerta',
                      'how': 'Una puerta cerrada es una buena superficie plana.'}]},
    'doorway-pec-stretch':
    {'name': 'Estiramiento del pecho en el marco de una puerta',
     'summary': 'Abra la parte delantera del pecho y los hombros en el marco de una puerta.',
     'instructions': ['Párese en el marco de una puerta con los antebrazos apoyados en él y '
                      'los codos a la altura de los hombros.',
                      'Dé un paso adelante con un pie e inclínese suavemente a través de la '
                      'puerta.',
                      'Sostenga y luego vuelva atrás.'],
     'cues': ['Mantenga el mentón recogido y la espalda recta.'],
     'mistakes': ['Arquear la parte baja de la espalda.',
                  'Dejar que los hombros se vayan hacia adelante.'],
     'substitutes': [{'item': 'La esquina de una pared',
                      'how': 'Apoye los antebrazos en las dos paredes de una esquina e '
                             'inclínese hacia adentro.'}]},
    'cross-body-stretch':
    {'name': 'Estiramiento del hombro cruzando el brazo',
     'summary': 'Lleve el brazo cruzado sobre el pecho para estirar la parte de atrás del '
                'hombro.',
     'instructions': ['Cruce un brazo sobre el pecho a la altura del hombro.',
                      'Con la otra mano, acérquelo suavemente presionando a la altura del '
                      'codo.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['Mantenga el omóplato abajo y atrás.'],
     'mistakes': ['Girar el cuerpo con el brazo.',
                  'Presionar directamente sobre la articulación del codo.'],
     'substitutes': []},
    'towel-internal-rotation-stretch':
    {'name': 'Estiramiento con toalla detrás de la espalda',
     'summary': 'Una toalla detrás de la espalda ayuda a que el brazo adolorido suba por la '
                'columna.',
     'instructions': ['Sujete una toalla por encima de un hombro con la mano sana.',
                      'Lleve la mano adolorida detrás de la espalda y tome el otro extremo.',
                      'Tire de la toalla hacia arriba con la mano sana para subir la mano '
                      'adolorida por la espalda.',
                      'Sostenga y luego baje.'],
     'cues': ['Tire despacio y deténgase al sentir estiramiento, no dolor.'],
     'mistakes': ['Dar tirones a la toalla.', 'Inclinarse hacia adelante.'],
     'substitutes': [{'item': 'Una toalla de cocina o un cinturón',
                      'how': 'Cualquier cosa lo bastante larga para sujetarla por ambos '
                             'extremos.'}]},
    'external-rotation-band':
    {'name': 'Rotación hacia afuera con banda elástica',
     'summary': 'Fortalezca el manguito rotador girando el antebrazo hacia afuera contra una '
                'banda elástica.',
     'instructions': ['Párese con una toalla enrollada entre el codo y el costado.',
                      'Sujete una banda elástica con ambas manos, con los codos doblados a 90 '
                      'grados.',
                      'Sin separar el codo de la toalla, gire el antebrazo hacia afuera.',
                      'Vuelva despacio.'],
     'cues': ['El codo se queda pegado a la toalla.', 'Despacio al volver.'],
     'mistakes': ['Separar el codo del costado.', 'Girar el tronco.'],
     'substitutes': [{'item': 'El marco de una puerta',
                      'how': 'Sin banda: párese en el marco de una puerta y presione el dorso '
                             'de la muñeca contra él durante 5 segundos (un sostén en lugar de '
                             'repeticiones).'},
                     {'item': 'Una toalla de baño enrollada',
                      'how': 'Enróllela bien apretada y átela o péguela con cinta para que '
                             'mantenga la forma.'}]},
    'band-row':
    {'name': 'Remo de pie',
     'summary': 'Lleve los codos hacia atrás para fortalecer la parte alta de la espalda y los '
                'omóplatos.',
     'instructions': ['Sujete el centro de una banda elástica en una puerta cerrada, a la '
                      'altura de la cintura.',
                      'Tome un extremo con cada mano y retroceda hasta que la banda quede '
                      'tensa.',
                      'Lleve los codos hacia atrás, juntando los omóplatos.',
                      'Vuelva despacio.'],
     'cues': ['Hombros abajo, pecho erguido.', 'Codos cerca del cuerpo.'],
     'mistakes': ['Encoger los hombros.', 'Inclinarse hacia atrás para tirar.'],
     'substitutes': [{'item': 'Una botella de agua',
                      'how': 'Remo inclinado: apóyese con una mano en el mostrador y con la '
                             'otra suba una botella llena hasta las costillas.'}]},
    'scaption-raise':
    {'name': 'Elevación en plano escapular',
     'summary': 'Levante los brazos en una V abierta, con los pulgares hacia arriba, hasta la '
                'altura de los hombros.',
     'instructions': ['Párese con un peso liviano en cada mano, con los pulgares hacia arriba.',
                      'Levante los brazos hacia adelante y un poco hacia afuera, en V, hasta '
                      'la altura de los hombros.',
                      'Baje despacio.'],
     'cues': ['Pulgares hacia el techo.', 'Deténgase a la altura de los hombros.'],
     'mistakes': ['Encoger los hombros.', 'Balancear los pesos.'],
     'substitutes': [{'item': 'Botellas de agua o latas de comida',
                      'how': 'Una botella llena de 500 ml pesa cerca de 0,5 kg (1 lb); una de '
                             '1 litro, cerca de 1 kg. Úsela en lugar de una mancuerna '
                             'liviana.'}]},
    'wall-push-up':
    {'name': 'Flexiones contra la pared',
     'summary': 'Flexiones de brazos contra la pared para el pecho, los hombros y los brazos.',
     'instructions': ['Párese a la distancia de un brazo de la pared, con las manos apoyadas a '
                      'la altura de los hombros.',
                      'Doble los codos para acercar el pecho a la pared.',
                      'Empuje hasta estirar los brazos.'],
     'cues': ['El cuerpo forma una línea recta de la cabeza a los talones.'],
     'mistakes': ['Dejar caer la cadera.', 'Abrir los codos completamente hacia los lados.'],
     'substitutes': [{'item': 'El mostrador de la cocina',
                      'how': 'Más difícil: las manos en el borde de un mostrador firme.'}]},
    'elbow-flexion-curl':
    {'name': 'Flexión del codo',
     'summary': 'Doble y estire el codo, con o sin un peso liviano. La cámara puede medirlo.',
     'instructions': ['Párese de lado a la cámara con el brazo junto al cuerpo y la palma '
                      'hacia adelante.',
                      'Doble el codo para llevar la mano hacia el hombro.',
                      'Baje despacio hasta que el brazo quede estirado.'],
     'cues': ['La parte superior del brazo se queda quieta junto al cuerpo.'],
     'mistakes': ['Balancear el cuerpo.', 'Dejar que el codo se vaya hacia adelante.'],
     'substitutes': [{'item': 'Botellas de agua o latas de comida',
                      'how': 'Una botella llena de 500 ml pesa cerca de 0,5 kg (1 lb); una de '
                             '1 litro, cerca de 1 kg. Úsela en lugar de una mancuerna '
                             'liviana.'}]},
    'wrist-flexor-stretch':
    {'name': 'Estiramiento de los flexores de la muñeca',
     'summary': 'Estire el lado de la palma del antebrazo.',
     'instructions': ['Extienda el brazo hacia adelante, con el codo estirado y la palma hacia '
                      'arriba.',
                      'Con la otra mano, doble suavemente la muñeca hacia atrás para que los '
                      'dedos apunten al piso.',
                      'Sostenga y luego suelte.'],
     'cues': ['Un tirón suave a lo largo del antebrazo, no en la articulación de la muñeca.'],
     'mistakes': ['Doblar el codo.', 'Tirar solo de las puntas de los dedos.'],
     'substitutes': [{'item': 'Una mesa',
                      'how': 'Apoye la palma plana en una mesa, con los dedos hacia usted, e '
                             'inclínese suavemente hacia atrás.'}]},
    'wrist-extensor-stretch':
    {'name': 'Estiramiento de los extensores de la muñeca',
     'summary': 'Estire la parte de atrás del antebrazo, que suele estar tensa en el codo de '
                'tenista.',
     'instructions': ['Extienda el brazo hacia adelante, con el codo estirado y la palma hacia '
                      'abajo.',
                      'Con la otra mano, doble suavemente la muñeca hacia abajo.',
                      'Sostenga y luego suelte.'],
     'cues': ['Mantenga el codo estirado.',
              'Girar la palma un poco hacia afuera aumenta el estiramiento.'],
     'mistakes': ['Forzar hasta sentir dolor en el codo.'],
     'substitutes': []},
    'eccentric-wrist-extension':
    {'name': 'Bajada lenta de la muñeca',
     'summary': 'Baje un peso liviano despacio con la muñeca: un ejercicio clave para el codo '
                'de tenista.',
     'instructions': ['Siéntese con el antebrazo sobre una mesa, la mano fuera del borde y la '
                      'palma hacia abajo.',
                      'Use la otra mano para ayudar a subir el peso.',
                      'Bájelo despacio solo con la muñeca adolorida, en tres segundos.'],
     'cues': ['Suba con ayuda, baje usted solo, despacio.'],
     'mistakes': ['Bajar rápido.', 'Levantar el antebrazo de la mesa.'],
     'substitutes': [{'item': 'Una lata de comida o una botella de agua',
                      'how': 'Una lata de 400 g es un buen comienzo.'},
                     {'item': 'Un martillo',
                      'how': 'Sujételo cerca de la cabeza; deslice la mano hacia el extremo '
                             'del mango para hacerlo más difícil.'}]},
    'forearm-rotation-hammer':
    {'name': 'Rotación del antebrazo con un martillo',
     'summary': 'Gire la palma hacia arriba y hacia abajo mientras sostiene una palanca '
                'liviana.',
     'instructions': ['Siéntese con el antebrazo apoyado en una mesa, la mano fuera del borde '
                      'y el pulgar hacia arriba.',
                      'Sujete un martillo o una cuchara de madera por el mango.',
                      'Gire despacio la palma hacia abajo, vuelva al pulgar hacia arriba y '
                      'luego gire la palma hacia arriba.'],
     'cues': ['El antebrazo se queda sobre la mesa; solo gira la mano.'],
     'mistakes': ['Levantar el codo.', 'Dejar caer la herramienta rápidamente.'],
     'substitutes': [{'item': 'Una cuchara de madera',
                      'how': 'Más liviana que un martillo; sujétela más lejos del extremo para '
                             'hacerlo más difícil.'}]},
    'tendon-glides':
    {'name': 'Deslizamiento de tendones',
     'summary': 'Mueva los dedos por cinco posiciones para que los tendones sigan '
                'deslizándose.',
     'instructions': ['Empiece con los dedos estirados.',
                      'Haga un puño en gancho (doble las dos articulaciones de arriba de los '
                      'dedos).',
                      'Haga un puño completo.',
                      'Haga un puño plano (doble en los nudillos, con los dedos estirados).',
                      'Toque la base de la palma con las puntas de los dedos y luego '
                      'estírelos.'],
     'cues': ['Muévase despacio y sostenga cada posición durante una respiración.'],
     'mistakes': ['Pasar por las posiciones con prisa.'],
     'substitutes': []},
    'grip-squeeze':
    {'name': 'Apretar para fortalecer el agarre',
     'summary': 'Apriete algo blando para fortalecer el agarre.',
     'instructions': ['Sostenga la masilla (o lo que la reemplace) en la palma de la mano.',
                      'Apriétela con firmeza con todos los dedos.',
                      'Sostenga y luego relaje por completo.'],
     'cues': ['Relaje el hombro mientras aprieta.'],
     'mistakes': ['Apretar a pesar del dolor.', 'Contener la respiración.'],
     'substitutes': [{'item': 'Un calcetín enrollado o una esponja',
                      'how': 'Enrolle un calcetín grueso en forma de bola; una esponja de '
                             'cocina es más blanda.'},
                     {'item': 'Una pelota blanda', 'how': 'Una pelota de tenis es más firme.'}]},
    'rolling-pin-forearm-roll':
    {'name': 'Masaje del antebrazo con un rodillo de cocina',
     'summary': 'Haga rodar los músculos del antebrazo sobre un rodillo de cocina para aliviar '
                'la tensión.',
     'instructions': ['Coloque un rodillo de cocina sobre una mesa.',
                      'Apoye el antebrazo encima, con la palma hacia abajo, y cargue algo de '
                      'peso.',
                      'Haga rodar el antebrazo despacio desde la muñeca hasta justo debajo del '
                      'codo y de vuelta.',
                      'Gire la palma hacia arriba y repita para el otro lado del antebrazo.'],
     'cues': ['Presión firme pero cómoda.', 'Movimientos lentos.'],
     'mistakes': ['Rodar directamente sobre el hueso del codo.',
                  'Presionar fuerte sobre un moretón.'],
     'substitutes': [{'item': 'Un rodillo de cocina',
                      'how': 'Reemplaza un rodillo de espuma o un masajeador.'},
                     {'item': 'Una botella de agua',
                      'how': 'También sirve una botella llena que ruede bajo el antebrazo.'}]},
    'rolling-pin-wrist-roll':
    {'name': 'Giros de muñeca con un rodillo de cocina',
     'summary': 'Sostenga un rodillo de cocina con los brazos estirados y hágalo girar con las '
                'muñecas.',
     'instructions': ['Párese sujetando un rodillo de cocina por los mangos, con los brazos '
                      'estirados al frente.',
                      'Hágalo girar hacia adelante moviendo una muñeca y luego la otra, como '
                      'si acelerara una moto.',
                      'Gire hacia adelante durante la cuenta y luego hacia atrás.'],
     'cues': ['Mantenga los codos estirados y los hombros abajo.'],
     'mistakes': ['Dejar caer los brazos.', 'Encoger los hombros.'],
     'substitutes': [{'item': 'Un rodillo de cocina',
                      'how': 'Reemplaza un rodillo de muñeca; átele con un cordón una bolsa '
                             'con una botella para agregar peso.'}]},
    'finger-abduction-band':
    {'name': 'Separar los dedos contra una liga',
     'summary': 'Separe los dedos contra una liga para fortalecer los músculos pequeños de la '
                'mano.',
     'instructions': ['Coloque una liga alrededor de las puntas de los cinco dedos.',
                      'Separe los dedos tanto como pueda.',
                      'Vuelva despacio.'],
     'cues': ['Mueva todos los dedos por igual.'],
     'mistakes': ['Doblar la muñeca.', 'Usar una liga tan apretada que lastime la piel.'],
     'substitutes': [{'item': 'Una liga para el cabello',
                      'how': 'Sirve como una liga liviana.'}]},
    'pelvic-tilt':
    {'name': 'Inclinación pélvica',
     'summary': 'Aplane y arquee suavemente la parte baja de la espalda mientras está '
                'acostado.',
     'instructions': ['Acuéstese boca arriba con las rodillas dobladas y los pies apoyados.',
                      'Apriete el abdomen y presione la parte baja de la espalda contra la '
                      'cama.',
                      'Sostenga y luego relaje hasta la posición neutra.'],
     'cues': ['Movimiento pequeño; suelte el aire al aplanar.'],
     'mistakes': ['Levantar la cadera de la cama.', 'Contener la respiración.'],
     'substitutes': [{'item': 'Una cama o un piso alfombrado',
                      'how': 'Reemplaza una colchoneta de ejercicio.'}]},
    'knee-to-chest':
    {'name': 'Rodilla al pecho',
     'summary': 'Abrace una rodilla hacia el pecho para aliviar la parte baja de la espalda.',
     'instructions': ['Acuéstese boca arriba con ambas rodillas dobladas.',
                      'Sujete por detrás de un muslo y lleve la rodilla hacia el pecho.',
                      'Sostenga, baje y repita con la otra pierna.'],
     'cues': ['Mantenga el otro pie apoyado en la cama.',
              'Sujete por detrás del muslo, no sobre la rótula.'],
     'mistakes': ['Levantar la cabeza y los hombros.', 'Tirar hasta sentir dolor.'],
     'substitutes': [{'item': 'Una toalla',
                      'how': 'Pásela por detrás del muslo si no alcanza.'}]},
    'lower-trunk-rotation':
    {'name': 'Rotación de la parte baja del tronco',
     'summary': 'Deje caer las rodillas dobladas de un lado a otro para aflojar la parte baja '
                'de la espalda.',
     'instructions': ['Acuéstese boca arriba con las rodillas dobladas y juntas.',
                      'Deje caer ambas rodillas despacio hacia un lado, hasta donde le resulte '
                      'cómodo.',
                      'Vuelva al centro y vaya hacia el otro lado.'],
     'cues': ['Mantenga ambos hombros sobre la cama.'],
     'mistakes': ['Dejar caer las rodillas rápidamente.', 'Levantar el hombro contrario.'],
     'substitutes': []},
    'cat-camel':
    {'name': 'Gato y camello',
     'summary': 'En cuatro apoyos, redondee y hunda la espalda alternadamente.',
     'instructions': ['Póngase en cuatro apoyos, con las manos debajo de los hombros y las '
                      'rodillas debajo de la cadera.',
                      'Redondee la espalda hacia el techo, recogiendo el mentón.',
                      'Luego deje que la espalda se hunda suavemente y levante la cabeza.'],
     'cues': ['Acompañe el movimiento con la respiración.', 'Mueva toda la columna.'],
     'mistakes': ['Doblar los codos.', 'Forzar las posiciones finales.'],
     'substitutes': [{'item': 'Una toalla doblada o una almohada',
                      'how': 'Acolche las rodillas sobre un piso duro.'}]},
    'prone-press-up':
    {'name': 'Extensión boca abajo',
     'summary': 'Boca abajo, empuje la parte superior del cuerpo hacia arriba y deje que la '
                'espalda se hunda.',
     'instructions': ['Acuéstese boca abajo con las manos debajo de los hombros.',
                      'Empuje con las manos hacia arriba, sin despegar la cadera del piso.',
                      'Deje que la espalda y el abdomen se relajen y luego baje despacio.'],
     'cues': ['Relaje los glúteos y la espalda; los brazos hacen el trabajo.'],
     'mistakes': ['Levantar la cadera.',
                  'Seguir si el dolor se extiende más abajo por la pierna.'],
     'substitutes': []},
    'bird-dog':
    {'name': 'Perro de caza (bird dog)',
     'summary': 'En cuatro apoyos, estire el brazo y la pierna opuestos manteniendo la espalda '
                'quieta.',
     'instructions': ['Póngase en cuatro apoyos con la espalda plana.',
                      'Apriete suavemente el abdomen.',
                      'Estire un brazo hacia adelante y la pierna opuesta hacia atrás hasta '
                      'que queden al nivel del cuerpo.',
                      'Sostenga, vuelva y cambie de lado.'],
     'cues': ['Imagine una taza de té sobre la parte baja de la espalda: no la derrame.'],
     'mistakes': ['Girar la cadera.', 'Levantar la pierna más alto que el cuerpo.'],
     'substitutes': [{'item': 'Una toalla doblada', 'how': 'Acolche las rodillas.'}]},
    'dead-bug':
    {'name': 'Bicho muerto (dead bug)',
     'summary': 'Boca arriba, baje el brazo y la pierna opuestos mientras el abdomen se '
                'mantiene firme.',
     'instructions': ['Acuéstese boca arriba con las rodillas y la cadera dobladas a 90 grados '
                      'y los brazos apuntando al techo.',
                      'Presione suavemente la parte baja de la espalda contra el piso.',
                      'Baje despacio un brazo por detrás de la cabeza y la pierna opuesta '
                      'hacia el piso.',
                      'Vuelva y cambie de lado.'],
     'cues': ['La parte baja de la espalda se mantiene en contacto con el piso.'],
     'mistakes': ['Arquear la espalda.', 'Moverse rápido.'],
     'substitutes': []},
    'standing-back-extension':
    {'name': 'Extensión de espalda de pie',
     'summary': 'Con las manos en la cadera, inclínese suavemente hacia atrás para compensar '
                'el estar sentado mucho tiempo.',
     'instructions': ['Párese con los pies separados y las manos en la parte de atrás de la '
                      'cadera.',
                      'Inclínese suavemente hacia atrás, usando las manos como apoyo.',
                      'Vuelva a la posición erguida.'],
     'cues': ['Mire al frente, no al techo.', 'Lleve la cadera un poco hacia adelante.'],
     'mistakes': ['Doblar las rodillas.', 'Seguir si se marea: deténgase si lo siente.'],
     'substitutes': []},
    'childs-pose':
    {'name': 'Postura del niño',
     'summary': 'Siéntese hacia atrás sobre los talones con los brazos estirados hacia '
                'adelante.',
     'instructions': ['Póngase en cuatro apoyos.',
                      'Lleve la cadera hacia atrás, hacia los talones, con los brazos '
                      'estirados hacia adelante.',
                      'Deje descansar la cabeza; respire despacio.',
                      'Lleve las manos hacia un lado y luego hacia el otro para estirar los '
                      'costados de la espalda.'],
     'cues': ['Deje que la espalda se hunda; no fuerce la cadera hasta los talones.'],
     'mistakes': ['Mantener tensión en los hombros.'],
     'substitutes': [{'item': 'Una almohada',
                      'how': 'Colóquela entre las pantorrillas y los muslos si tiene las '
                             'rodillas rígidas.'}]},
    'side-plank-knees':
    {'name': 'Plancha lateral sobre las rodillas',
     'summary': 'Sostenga un puente lateral sobre el antebrazo y las rodillas para ganar '
                'resistencia en el tronco.',
     'instructions': ['Acuéstese de lado con las rodillas dobladas y el antebrazo debajo del '
                      'hombro.',
                      'Levante la cadera para que el cuerpo quede recto de la cabeza a las '
                      'rodillas.',
                      'Sostenga y luego baje. Cambie de lado.'],
     'cues': ['Cadera hacia adelante, no doblada hacia atrás.'],
     'mistakes': ['Dejar caer la cadera.', 'Encoger el hombro de apoyo.'],
     'substitutes': [{'item': 'Una toalla doblada', 'how': 'Acolche el codo y las rodillas.'}]},
    'thoracic-extension-towel':
    {'name': 'Extensión de la espalda alta sobre una toalla',
     'summary': 'Acostado sobre una toalla enrollada, abra una espalda alta rígida.',
     'instructions': ['Enrolle bien apretada una toalla de baño y colóquela atravesada sobre '
                      'la cama o el piso.',
                      'Acuéstese de modo que quede debajo de los omóplatos, con las manos '
                      'sosteniendo la cabeza.',
                      'Deje que la espalda alta se extienda sobre el rollo y luego levántese '
                      'un poco.',
                      'Mueva la toalla un poco más arriba o más abajo y repita.'],
     'cues': ['Mantenga las costillas abajo y la parte baja de la espalda relajada.'],
     'mistakes': ['Poner el rollo debajo de la parte baja de la espalda.', 'Tirar del cuello.'],
     'substitutes': [{'item': 'Una toalla de baño enrollada',
                      'how': 'Enróllela bien apretada y átela o péguela con cinta para que '
                             'mantenga la forma.'}]},
    'glute-bridge':
    {'name': 'Puente',
     'summary': 'Levante la cadera desde acostado para fortalecer los glúteos.',
     'instructions': ['Acuéstese boca arriba con las rodillas dobladas y los pies apoyados, '
                      'separados al ancho de la cadera.',
                      'Apriete los glúteos y levante la cadera hasta que el cuerpo quede recto '
                      'de los hombros a las rodillas.',
                      'Sostenga y luego baje despacio.'],
     'cues': ['Empuje con los talones.',
              'Costillas abajo: levante con los glúteos, no con la espalda.'],
     'mistakes': ['Arquear la parte baja de la espalda.',
                  'Dejar que las rodillas se junten hacia adentro.'],
     'substitutes': []},
    'clamshell':
    {'name': 'Almeja',
     'summary': 'Acostado de lado, abra la rodilla de arriba como una concha.',
     'instructions': ['Acuéstese de lado con la cadera y las rodillas dobladas y los talones '
                      'alineados con los glúteos.',
                      'Con los pies juntos, levante la rodilla de arriba.',
                      'Baje despacio.'],
     'cues': ['Mantenga la cadera de arriba sobre la de abajo; no ruede hacia atrás.'],
     'mistakes': ['Girar la pelvis hacia atrás.', 'Moverse rápido.'],
     'substitutes': [{'item': 'Su propia mano',
                      'how': 'Más adelante, presione la rodilla de arriba mientras sube, en '
                             'lugar de una banda elástica alrededor de las rodillas.'}]},
    'standing-hip-abduction':
    {'name': 'Elevación lateral de la pierna de pie',
     'summary': 'Sujetándose de una silla, levante una pierna hacia el costado. La cámara '
                'puede medirlo.',
     'instructions': ['Párese de frente a la cámara, con una mano en el respaldo de una silla.',
                      'Con el cuerpo erguido y los dedos del pie hacia adelante, levante una '
                      'pierna hacia el costado.',
                      'Baje despacio y repita con la otra pierna.'],
     'cues': ['Los dedos del pie apuntan hacia adelante, no hacia arriba.',
              'Párese derecho; no se incline.'],
     'mistakes': ['Inclinar el tronco hacia el costado.', 'Girar el pie hacia afuera.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'side-lying-hip-abduction':
    {'name': 'Elevación de la pierna acostado de lado',
     'summary': 'Acostado de lado, levante la pierna de arriba estirada.',
     'instructions': ['Acuéstese de lado con la rodilla de abajo doblada para tener '
                      'equilibrio.',
                      'Mantenga la pierna de arriba estirada, alineada con el cuerpo.',
                      'Levante la pierna de arriba hacia el techo, con el talón por delante.',
                      'Baje despacio.'],
     'cues': ['El talón guía el movimiento; los dedos del pie apuntan hacia adelante.'],
     'mistakes': ['Llevar la pierna hacia adelante.', 'Rodar hacia atrás.'],
     'substitutes': []},
    'hip-flexor-stretch':
    {'name': 'Estiramiento del flexor de la cadera de rodillas',
     'summary': 'Con una rodilla en el piso, desplácese hacia adelante para estirar la parte '
                'delantera de la cadera.',
     'instructions': ['Apoye una rodilla sobre una almohada, con el otro pie plano delante.',
                      'Sujétese de una silla para mantener el equilibrio.',
                      'Meta la cola hacia adentro y lleve el peso hacia adelante hasta sentir '
                      'el estiramiento en la parte delantera de la cadera de atrás.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['Primero meta la cola, luego avance.'],
     'mistakes': ['Arquear la parte baja de la espalda.',
                  'Dejar que la rodilla de adelante pase la punta del pie.'],
     'substitutes': [{'item': 'Una toalla doblada o un cojín',
                      'how': 'Acolcha la rodilla que apoya en el piso.'},
                     {'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'figure-four-stretch':
    {'name': 'Estiramiento del glúteo en figura de cuatro',
     'summary': 'Cruce el tobillo sobre la rodilla para estirar los músculos profundos del '
                'glúteo.',
     'instructions': ['Acuéstese boca arriba con ambas rodillas dobladas.',
                      'Cruce un tobillo sobre la otra rodilla.',
                      'Sujete por detrás del muslo de la pierna de abajo y acérquela hacia '
                      'usted.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['Mantenga la cabeza y los hombros relajados sobre la cama.'],
     'mistakes': ['Tirar de la rodilla de la pierna cruzada.', 'Girar la pelvis.'],
     'substitutes': [{'item': 'Una silla',
                      'how': 'Versión sentada: cruce el tobillo sobre la rodilla e inclínese '
                             'hacia adelante con la espalda recta.'}]},
    'standing-hip-extension':
    {'name': 'Pierna hacia atrás de pie',
     'summary': 'Sujetándose de una silla, lleve una pierna estirada hacia atrás.',
     'instructions': ['Párese frente al respaldo de una silla, sujetándolo con ambas manos.',
                      'Apriete el glúteo y lleve una pierna estirada hacia atrás.',
                      'Vuelva despacio. Cambie de pierna.'],
     'cues': ['Movimiento pequeño; la espalda no se arquea.'],
     'mistakes': ['Inclinarse hacia adelante.', 'Doblar la rodilla.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'stair-hip-hike':
    {'name': 'Elevación de la cadera en un escalón',
     'summary': 'Parado en una pierna sobre un escalón, baje y suba la otra cadera.',
     'instructions': ['Párese de lado en el primer escalón sobre una pierna, sujetándose del '
                      'pasamanos.',
                      'Mantenga estirada la rodilla de apoyo y deje bajar la cadera de la '
                      'pierna libre.',
                      'Vuelva a subir la cadera usando el lado de apoyo.'],
     'cues': ['El movimiento sale de la cadera, no de la rodilla.'],
     'mistakes': ['Doblar la rodilla de apoyo.', 'Apoyarse en el pasamanos.'],
     'substitutes': [{'item': 'Un libro grueso',
                      'how': 'Un libro firme y ancho en el piso puede servir de escalón bajo '
                             'junto a un mostrador.'}]},
    'seated-hip-march':
    {'name': 'Marcha sentado',
     'summary': 'Sentado derecho, levante una rodilla a la vez.',
     'instructions': ['Siéntese derecho cerca del borde de una silla firme.',
                      'Levante una rodilla unos centímetros, con el pie relajado.',
                      'Bájela y levante la otra.'],
     'cues': ['Siéntese derecho: no se incline hacia atrás.'],
     'mistakes': ['Inclinarse hacia atrás para levantar la pierna.'],
     'substitutes': []},
    'quad-set':
    {'name': 'Contracción del muslo (cuádriceps)',
     'summary': 'Apriete el muslo para presionar la parte de atrás de la rodilla contra una '
                'toalla.',
     'instructions': ['Siéntese o acuéstese con la pierna estirada y una toalla pequeña '
                      'enrollada debajo de la rodilla.',
                      'Apriete el músculo del muslo para presionar la parte de atrás de la '
                      'rodilla contra la toalla.',
                      'Sostenga y luego relaje.'],
     'cues': ['Observe cómo la rótula sube hacia usted.'],
     'mistakes': ['Contener la respiración.',
                  'Levantar el talón en lugar de presionar la rodilla.'],
     'substitutes': [{'item': 'Una toalla de baño enrollada',
                      'how': 'Enróllela bien apretada y átela o péguela con cinta para que '
                             'mantenga la forma.'}]},
    'straight-leg-raise':
    {'name': 'Elevación de la pierna estirada',
     'summary': 'Levante la pierna estirada, acostado, para fortalecer el muslo.',
     'instructions': ['Acuéstese boca arriba con una rodilla doblada y la otra pierna '
                      'estirada.',
                      'Apriete el muslo de la pierna estirada.',
                      'Levántela hasta la altura de la otra rodilla y luego baje despacio.'],
     'cues': ['Primero apriete, luego levante; mantenga la rodilla bloqueada.'],
     'mistakes': ['Dejar que la rodilla se doble.', 'Arquear la espalda.'],
     'substitutes': [{'item': 'Una bolsa de arroz',
                      'how': 'Más adelante: cuelgue una bolsa pequeña del tobillo para agregar '
                             'peso.'}]},
    'heel-slide':
    {'name': 'Deslizamiento del talón',
     'summary': 'Deslice el talón hacia el glúteo para doblar la rodilla.',
     'instructions': ['Acuéstese boca arriba con las piernas estiradas.',
                      'Deslice un talón hacia los glúteos, doblando la rodilla hasta donde le '
                      'resulte cómodo.',
                      'Deslícelo de nuevo hasta estirar la pierna.'],
     'cues': ['Una toalla o una bolsa de plástico bajo el talón ayuda a que se deslice.'],
     'mistakes': ['Levantar el talón de la cama.', 'Dejar que la rodilla caiga hacia afuera.'],
     'substitutes': [{'item': 'Una toalla bajo el talón',
                      'how': 'Hace que el talón se deslice sobre la cama; sobre alfombra use '
                             'una bolsa de plástico.'},
                     {'item': 'Una toalla alrededor del pie',
                      'how': 'Tire de ella para ayudarse un poco.'}]},
    'short-arc-quad':
    {'name': 'Extensión de rodilla en arco corto',
     'summary': 'Con un rollo debajo de la rodilla, estire la rodilla por completo.',
     'instructions': ['Acuéstese boca arriba con una toalla enrollada o una lata grande debajo '
                      'de una rodilla.',
                      'Estire la rodilla levantando el pie hasta que la pierna quede recta.',
                      'Sostenga y luego baje despacio.'],
     'cues': ['Mantenga la parte de atrás de la rodilla sobre el rollo.'],
     'mistakes': ['Levantar el muslo del rollo.', 'Dejar caer el pie rápidamente.'],
     'substitutes': [{'item': 'Una toalla de baño enrollada',
                      'how': 'Enróllela bien apretada y átela o péguela con cinta para que '
                             'mantenga la forma.'},
                     {'item': 'Una lata grande de café',
                      'how': 'Un rollo más firme debajo de la rodilla.'}]},
    'seated-knee-extension':
    {'name': 'Extensión de rodilla sentado',
     'summary': 'Sentado, estire una rodilla por completo y baje despacio.',
     'instructions': ['Siéntese derecho en una silla con los pies apoyados.',
                      'Estire una rodilla hasta que la pierna quede horizontal, con los dedos '
                      'del pie hacia usted.',
                      'Sostenga un momento y luego baje despacio.'],
     'cues': ['Apriete el muslo arriba.'],
     'mistakes': ['Inclinarse hacia atrás.', 'Patear la pierna hacia arriba rápido.'],
     'substitutes': [{'item': 'Una bolsa de arroz dentro de una bolsa de tela',
                      'how': 'Colgada del tobillo, reemplaza una tobillera con peso.'}]},
    'standing-hamstring-curl':
    {'name': 'Flexión de rodilla de pie (isquiotibiales)',
     'summary': 'Sujetándose de una silla, doble la rodilla para subir el talón por detrás. La '
                'cámara puede medirlo.',
     'instructions': ['Párese de lado a la cámara, sujetando el respaldo de una silla.',
                      'Doble una rodilla para llevar el talón hacia el glúteo.',
                      'Baje despacio.'],
     'cues': ['Mantenga las rodillas una al lado de la otra: el muslo se queda quieto.'],
     'mistakes': ['Mover el muslo hacia adelante.', 'Arquear la espalda.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'},
                     {'item': 'Una bolsa de arroz',
                      'how': 'Más adelante, cuélguela del tobillo en una bolsa de tela en '
                             'lugar de una tobillera con peso.'}]},
    'mini-squat':
    {'name': 'Sentadilla hasta una profundidad cómoda',
     'summary': 'Lleve la cadera hacia atrás y abajo, sujetándose de un mostrador si hace '
                'falta. La cámara puede medirlo.',
     'instructions': ['Párese de lado a la cámara, con los pies separados al ancho de la '
                      'cadera y una mano en un mostrador.',
                      'Doble la cadera y las rodillas como si se sentara hacia atrás en una '
                      'silla.',
                      'Baje solo hasta donde le resulte cómodo y luego párese derecho.'],
     'cues': ['Las rodillas alineadas con el dedo medio del pie.',
              'El peso sobre los talones.'],
     'mistakes': ['Dejar que las rodillas se vayan hacia adentro.', 'Levantar los talones.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'sit-to-stand':
    {'name': 'Sentarse y pararse',
     'summary': 'Párese de una silla y siéntese con control; también es la prueba de pararse '
                'de la silla en 30 segundos. La cámara puede contarlo.',
     'instructions': ['Siéntese cerca del borde de una silla firme sin ruedas, con los pies '
                      'apoyados.',
                      'Cruce los brazos sobre el pecho (o, al principio, apoye las manos en '
                      'los apoyabrazos).',
                      'Inclínese hacia adelante y párese por completo.',
                      'Vuelva a sentarse despacio.'],
     'cues': ['La nariz por encima de los dedos del pie para pararse.',
              'Siéntese despacio, como si la silla fuera frágil.'],
     'mistakes': ['Dejarse caer en la silla.',
                  'Dejar que las rodillas se vayan hacia adentro.'],
     'substitutes': [{'item': 'Un cojín firme',
                      'how': 'Úselo para elevar el asiento y que pararse sea más fácil.'}]},
    'step-up':
    {'name': 'Subir un escalón',
     'summary': 'Suba al primer escalón de la escalera y baje de nuevo con control.',
     'instructions': ['Párese frente al primer escalón, sujetándose del pasamanos.',
                      'Suba con la pierna adolorida y estírela por completo.',
                      'Baje despacio con la otra pierna.'],
     'cues': ['Empuje con todo el pie apoyado en el escalón.',
              'La rodilla alineada con los dedos del pie.'],
     'mistakes': ['Impulsarse con el pie de abajo.',
                  'Dejar que la rodilla se vaya hacia adentro.'],
     'substitutes': [{'item': 'El primer escalón de la escalera',
                      'how': 'Reemplaza un step de ejercicio; sujétese del pasamanos.'}]},
    'wall-sit':
    {'name': 'Sentadilla contra la pared',
     'summary': 'Deslícese por la pared hasta una posición poco profunda de sentado y '
                'sostenga.',
     'instructions': ['Párese con la espalda contra una pared y los pies a un paso de ella.',
                      'Deslícese hacia abajo hasta que las rodillas queden un poco dobladas '
                      '(al principio, no más de 60 grados).',
                      'Sostenga y luego vuelva a subir deslizándose.'],
     'cues': ['Las rodillas sobre los tobillos, sin pasar la punta de los pies.'],
     'mistakes': ['Bajar demasiado demasiado pronto.', 'Contener la respiración.'],
     'substitutes': [{'item': 'Una puerta',
                      'how': 'Una puerta cerrada es una buena superficie plana.'}]},
    'seated-knee-flexion-slide':
    {'name': 'Flexión de rodilla deslizando el pie sentado',
     'summary': 'Sentado, deslice el pie hacia atrás por debajo de la silla para doblar la '
                'rodilla.',
     'instructions': ['Siéntese en una silla con una toalla debajo del pie, sobre un piso '
                      'liso.',
                      'Deslice el pie hacia atrás por debajo de la silla hasta donde le '
                      'resulte cómodo.',
                      'Sostenga y luego deslícelo hacia adelante.'],
     'cues': ['Acérquese al borde de la silla para doblar más.'],
     'mistakes': ['Levantar el talón para ganar rango haciendo trampa.'],
     'substitutes': [{'item': 'Una toalla o una bolsa de plástico',
                      'how': 'Debajo del pie, para que se deslice.'}]},
    'towel-hamstring-stretch':
    {'name': 'Estiramiento de isquiotibiales con toalla',
     'summary': 'Acostado, levante una pierna estirada con una toalla alrededor del pie.',
     'instructions': ['Acuéstese boca arriba y pase una toalla alrededor de un pie.',
                      'Con la rodilla estirada, levante la pierna con la toalla hasta sentir '
                      'un estiramiento detrás del muslo.',
                      'Sostenga y luego baje. Cambie de pierna.'],
     'cues': ['Mantenga la otra pierna estirada sobre la cama (o doblada si su espalda lo '
              'prefiere).'],
     'mistakes': ['Doblar la rodilla.', 'Levantar la cadera.'],
     'substitutes': [{'item': 'Una toalla de cocina, un cinturón o el cordón de una bata',
                      'how': 'Reemplaza una correa de estiramiento.'}]},
    'ankle-pumps':
    {'name': 'Bombeo de tobillos',
     'summary': 'Estire y flexione los pies para mantener la circulación y la movilidad del '
                'tobillo.',
     'instructions': ['Siéntese o acuéstese con las piernas estiradas.',
                      'Lleve los dedos de los pies hacia usted.',
                      'Llévelos lejos de usted.',
                      'Mantenga un ritmo constante.'],
     'cues': ['Rango completo en cada dirección.'],
     'mistakes': ['Movimientos pequeños, a medias.'],
     'substitutes': []},
    'ankle-alphabet':
    {'name': 'Alfabeto con el tobillo',
     'summary': 'Dibuje en el aire las letras del alfabeto con el dedo gordo del pie.',
     'instructions': ['Siéntese con la pierna apoyada y el pie libre.',
                      'Dibuje las letras mayúsculas de la A a la Z con el dedo gordo.',
                      'Mueva solo el tobillo, no la rodilla.'],
     'cues': ['Haga las letras tan grandes como le resulte cómodo.'],
     'mistakes': ['Mover toda la pierna.'],
     'substitutes': []},
    'calf-raise':
    {'name': 'Elevación de talones',
     'summary': 'Suba en puntas de pie y baje despacio.',
     'instructions': ['Párese sujetándose de un mostrador, con los pies separados al ancho de '
                      'la cadera.',
                      'Suba en puntas de pie tan alto como pueda.',
                      'Baje despacio, en tres segundos.'],
     'cues': ['El peso sobre el dedo gordo.', 'Despacio al bajar.'],
     'mistakes': ['Apoyar el peso hacia los dedos pequeños.', 'Dar rebotes.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'eccentric-heel-drop':
    {'name': 'Bajada del talón en un escalón',
     'summary': 'Baje el talón despacio por debajo del borde de un escalón; se usa para el '
                'dolor del tendón de Aquiles.',
     'instructions': ['Párese en el primer escalón con la parte delantera de los pies en el '
                      'borde, sujetándose del pasamanos.',
                      'Suba en puntas con ambos pies.',
                      'Pase el peso a la pierna adolorida y baje el talón despacio por debajo '
                      'del escalón.',
                      'Use ambos pies para volver a subir.'],
     'cues': ['Baje con uno, suba con los dos.', 'Tarde tres segundos en bajar.'],
     'mistakes': ['Bajar rápido.', 'Soltar el pasamanos.'],
     'substitutes': [{'item': 'El primer escalón de la escalera',
                      'how': 'Reemplaza un bloque de escalón; sujétese siempre del '
                             'pasamanos.'}]},
    'wall-calf-stretch':
    {'name': 'Estiramiento de pantorrilla en la pared',
     'summary': 'Dé un paso hacia una pared con la pierna de atrás estirada para estirar la '
                'pantorrilla.',
     'instructions': ['Párese frente a una pared con las manos apoyadas en ella.',
                      'Lleve un pie hacia atrás, con el talón en el piso y la rodilla '
                      'estirada.',
                      'Doble la rodilla de adelante e inclínese hacia la pared.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['El talón de atrás se queda en el piso; los dedos apuntan hacia adelante.'],
     'mistakes': ['Girar el pie de atrás hacia afuera.', 'Levantar el talón de atrás.'],
     'substitutes': [{'item': 'El mostrador de la cocina',
                      'how': 'Apóyese en el mostrador en lugar de la pared.'}]},
    'soleus-stretch':
    {'name': 'Estiramiento de pantorrilla con la rodilla doblada',
     'summary': 'Como el estiramiento de pantorrilla, pero con la rodilla de atrás doblada '
                'para la parte baja de la pantorrilla.',
     'instructions': ['Párese frente a una pared con las manos apoyadas en ella.',
                      'Lleve un pie un poco hacia atrás.',
                      'Doble ambas rodillas y baje, con el talón de atrás en el piso.',
                      'Sostenga y luego cambie de lado.'],
     'cues': ['Siéntalo abajo en la pantorrilla, cerca del talón.'],
     'mistakes': ['Levantar el talón.'],
     'substitutes': []},
    'towel-scrunch':
    {'name': 'Arrugar una toalla con los dedos del pie',
     'summary': 'Arrastre una toalla de cocina hacia usted arrugándola con los dedos del pie.',
     'instructions': ['Siéntese con una toalla de cocina extendida en el piso, bajo el pie '
                      'descalzo.',
                      'Con el talón apoyado, doble los dedos para arrastrar la toalla hacia '
                      'usted.',
                      'Extiéndala de nuevo y repita.'],
     'cues': ['El talón se queda en el piso.'],
     'mistakes': ['Levantar el talón.', 'Usar el tobillo en lugar de los dedos.'],
     'substitutes': [{'item': 'Una toalla de cocina',
                      'how': 'Ponga una lata en el otro extremo para hacerlo más difícil.'}]},
    'towel-calf-stretch-seated':
    {'name': 'Estiramiento de pantorrilla sentado con toalla',
     'summary': 'Sentado con la pierna estirada, lleve el pie hacia usted con una toalla.',
     'instructions': ['Siéntese con la pierna estirada delante de usted.',
                      'Pase una toalla alrededor de la parte delantera de la planta del pie.',
                      'Tire suavemente de la toalla para llevar los dedos hacia usted.',
                      'Sostenga y luego relaje.'],
     'cues': ['Mantenga la rodilla estirada.'],
     'mistakes': ['Tirar tan fuerte que la rodilla se doble.'],
     'substitutes': [{'item': 'Una toalla o un cinturón',
                      'how': 'Reemplaza una correa de estiramiento.'}]},
    'ankle-eversion-isometric':
    {'name': 'Empuje del tobillo hacia afuera',
     'summary': 'Gire el pie hacia afuera contra una banda elástica para fortalecer la parte '
                'externa del tobillo.',
     'instructions': ['Siéntese con la pierna estirada y una banda elástica alrededor de la '
                      'parte delantera del pie, con el otro extremo alrededor del otro pie.',
                      'Gire el pie hacia afuera contra la banda, sin mover la rodilla.',
                      'Vuelva despacio.'],
     'cues': ['Solo se mueve el pie.'],
     'mistakes': ['Girar toda la pierna.'],
     'substitutes': [{'item': 'La pata de una mesa o el marco de una puerta',
                      'how': 'Sin banda: siéntese con el borde externo del pie contra la pata '
                             'de una mesa y empuje hacia afuera durante 5 segundos (un sostén '
                             'en lugar de repeticiones).'}]},
    'sock-pick-up':
    {'name': 'Recoger objetos con los dedos del pie',
     'summary': 'Recoja objetos pequeños con los dedos del pie y déjelos en un recipiente.',
     'instructions': ['Siéntese descalzo con algunos calcetines u objetos pequeños en el piso.',
                      'Recoja cada uno con los dedos del pie.',
                      'Déjelo en un recipiente o del otro lado.'],
     'cues': ['Doble los dedos; mantenga el talón apoyado.'],
     'mistakes': ['Recoger objetos filosos o resbaladizos.'],
     'substitutes': [{'item': 'Calcetines, lápices o tapas de botella',
                      'how': 'Reemplazan las canicas; los calcetines son lo más seguro.'}]},
    'single-leg-stance':
    {'name': 'Pararse en una pierna',
     'summary': 'Párese en una pierna junto a un mostrador, tocándola apenas y solo si hace '
                'falta.',
     'instructions': ['Párese frente al mostrador de la cocina, con las puntas de los dedos '
                      'apoyadas.',
                      'Levante un pie un poco del piso.',
                      'Manténgase estable y luego cambie de pierna.',
                      'Cuando le resulte más fácil, despegue las puntas de los dedos del '
                      'mostrador.'],
     'cues': ['Mire un punto fijo al frente.', 'La rodilla de apoyo levemente flexionada.'],
     'mistakes': ['Hacerlo lejos de un apoyo.', 'Bloquear la rodilla.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'tandem-stance':
    {'name': 'Postura talón con punta',
     'summary': 'Párese con un pie justo delante del otro.',
     'instructions': ['Párese junto a un mostrador con una mano apoyada.',
                      'Coloque un pie justo delante del otro, con el talón tocando los dedos.',
                      'Manténgase estable y luego cambie el pie de adelante.'],
     'cues': ['Párese derecho y mire al frente.'],
     'mistakes': ['Mirarse los pies.', 'Practicar sin un apoyo cerca.'],
     'substitutes': [{'item': 'La esquina de una pared',
                      'how': 'Párese en una esquina para tener una pared a cada lado.'}]},
    'tandem-walk':
    {'name': 'Caminar talón con punta',
     'summary': 'Camine en línea recta poniendo el talón delante de los dedos del otro pie.',
     'instructions': ['Párese junto a una pared o a lo largo del mostrador de la cocina.',
                      'Camine hacia adelante, poniendo cada talón justo delante de los dedos '
                      'del otro pie.',
                      'Dé diez pasos, gire con cuidado y vuelva.'],
     'cues': ['A medida que mejore, tenga las puntas de los dedos cerca de la pared, sin '
              'tocarla.'],
     'mistakes': ['Apurarse.', 'Practicar en un espacio lleno de cosas.'],
     'substitutes': [{'item': 'Un pasillo',
                      'how': 'Las paredes a ambos lados lo hacen más seguro.'}]},
    'weight-shifts':
    {'name': 'Cambios de peso',
     'summary': 'Pase el peso de un lado a otro y de adelante hacia atrás sin levantar los '
                'pies.',
     'instructions': ['Párese junto a un mostrador, con los pies separados al ancho de la '
                      'cadera.',
                      'Pase el peso despacio a un pie y luego al otro.',
                      'Luego pase el peso hacia adelante a las puntas y hacia atrás a los '
                      'talones.'],
     'cues': ['Muévase desde los tobillos, con el cuerpo recto como un árbol en el viento.'],
     'mistakes': ['Doblarse por la cintura.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'feet-together-eyes-closed':
    {'name': 'Pies juntos, ojos cerrados',
     'summary': 'Párese con los pies juntos y cierre los ojos, en una esquina por seguridad.',
     'instructions': ['Párese en la esquina de una habitación con una silla delante de usted.',
                      'Junte los pies y párese derecho.',
                      'Cuando esté estable, cierre los ojos y sostenga.',
                      'Abra los ojos enseguida si empieza a balancearse mucho.'],
     'cues': ['Al principio, solo con alguien cerca.'],
     'mistakes': ['Practicar lejos de las paredes.',
                  'Seguir sosteniéndose aunque se maree: deténgase y siéntese.'],
     'substitutes': [{'item': 'La esquina de una pared y una silla',
                      'how': 'Las paredes detrás y una silla delante lo sostienen si se '
                             'balancea.'}]},
    'clock-reach':
    {'name': 'Alcance del reloj',
     'summary': 'En una pierna, lleve el otro pie a los números de un reloj imaginario.',
     'instructions': ['Párese en una pierna sujetándose de un mostrador.',
                      'Imagine que está parado en el centro de un reloj.',
                      'Toque suavemente con los dedos del pie libre las 12, las 3 y las 6, '
                      'volviendo al centro cada vez.',
                      'Cambie de pierna.'],
     'cues': ['Toque suavemente; la pierna de apoyo hace el trabajo.'],
     'mistakes': ['Cargar peso en el pie que alcanza.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'side-stepping':
    {'name': 'Pasos laterales',
     'summary': 'Dé pasos hacia el costado a lo largo de un mostrador y vuelva.',
     'instructions': ['Párese frente al mostrador de la cocina con las manos apoyadas.',
                      'Dé diez pasos hacia el costado, con los dedos del pie hacia adelante.',
                      'Vuelva en la otra dirección.'],
     'cues': ['Párese derecho; no cruce los pies.'],
     'mistakes': ['Arrastrar los pies.', 'Inclinarse hacia adelante.'],
     'substitutes': []},
    'standing-march':
    {'name': 'Marcha de pie',
     'summary': 'Marche en el lugar, sujetándose de un mostrador y levantando las rodillas.',
     'instructions': ['Párese junto a un mostrador con una o ambas manos apoyadas.',
                      'Levante una rodilla hacia la altura de la cadera y luego bájela.',
                      'Alterne las piernas en una marcha lenta.'],
     'cues': ['Haga una pausa breve con cada rodilla arriba.'],
     'mistakes': ['Inclinarse hacia atrás.', 'Marchar rápido.'],
     'substitutes': [{'item': 'Una silla firme o el mostrador de la cocina',
                      'how': 'Apoye una mano para mantener el equilibrio; sujétese con menos '
                             'fuerza a medida que gane estabilidad.'}]},
    'cushion-balance':
    {'name': 'Equilibrio sobre un cojín',
     'summary': 'Párese sobre una superficie blanda para desafiar los tobillos y el '
                'equilibrio.',
     'instructions': ['Coloque un cojín de equilibrio junto a un mostrador.',
                      'Suba con ambos pies, sujetándose del mostrador.',
                      'Manténgase estable; avance a un apoyo más ligero y luego a una sola '
                      'pierna.'],
     'cues': ['Los pequeños tambaleos son justamente el objetivo; mantenga las rodillas '
              'levemente flexionadas.'],
     'mistakes': ['Usar un cojín resbaladizo sobre un piso liso.'],
     'substitutes': [{'item': 'Un cojín firme de sofá o una manta doblada',
                      'how': 'Reemplaza un cojín de equilibrio; use uno que no se deslice.'}]},
}
